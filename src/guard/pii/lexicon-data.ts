// Generated word lists for the PERSON recognizer; see lexicon.ts for how they are used and
// README-pii.md ("Name lexicon") for how they were made. All entries are lower-case ASCII.
//
// FIRST_NAMES: the first names in the lexicon of compromise 14.17.0 (MIT, (c) Spencer Kelly), plus a
// hand-written list of common given names of Europe, the Caucasus, Central, South and East Asia, the
// Arab world and Africa.
// SURNAMES: the last names in the same lexicon, plus the most frequent surnames of about thirty
// countries, written by hand.
// COMMON_WORDS: the 8000 most frequent words of English Wikipedia as listed by
// popular-english-words 1.0.2 (ISC, (c) Tim Koop), without the entries of FIRST_NAMES and SURNAMES.

export const FIRST_NAMES = `
aad aada aadya aaliyah aaltje aapo aaradhya aarav aarne aaro aaron aart aarti aase aasha aatu abagail
abbas abbey abbi abbie abby abdallah abdel abdi abdoulaye abdul abdulaziz abdulla abdullah abdullo
abdulrahman abdurrahman abe abebe abel abena abhay abhishek abi abie abigail abilio abimbola abraham
abram abril abu abubakr abulfazl achilleas achim ada adaeze adaline adalyn adam adama adan adao addie
addilyn addison adebayo adekunle adel adela adelaide adele adelene adelheid adelia adelina adeline
adelynn ademola adeola adewale adi aditi aditya adnan adolf adolfo adolph adreanna adriaan adrian
adriana adrianna adrianne adriano adrien adriena adriene adrienne adunni advik afanasy afia afonso
agafya agatha agathe aggie agnes agnete agnetha agnieszka agota agust agustin agustina ahmad ahmed ahmet
ai aicha aida aidan aiden aigul aiko aila aileen aimar aimee aina aino ainsley aisha aishah aisling
aislinn aislynn ajani ajay ajla akash akhmed akiko akira akos akosua akshay akua aladar aladdin alain
alaina alan alana alanis alanna alannah alanoud alastair alayah alayna alba albert alberto albrecht
alden alec alecia aleisha alejandra alejandro aleksa aleksandar aleksander aleksandr aleksandra
aleksanteri aleksei aleksey aleksi alena ales alesia alessandra alessandro alessia alex alexa alexander
alexandra alexandre alexandros alexandru alexei alexia alexis alf alfhild alfie alfonso alfred alfredo
ali alia alice alicia alicja alighiero alina aline alisa alise alisha alison alissa alistair aliya aliz
aliza aljaz alla allan allen allie allison allyson almaz alois alonso alonzo alphonse alphonso althea
alton alvaro alvin alya alycia alysa alyson alyssa amahle amaia amaira amaka amal amalia amanda amandine
amani amar amara amber amberly ambroise amela amelia amelija amie amilia amina aminata amine amir amira
amit amita amitabh ammanuel ammar amos amparo amy ana anabel anabela anahit anais anamaria anand anas
anastasia anastasija anastasios anatole anatoli anatoliy anatoly anaya ander anders andi andjela andra
andras andre andrea andreas andreea andrei andrej andres andrew andrey andrija andrzej andy ane aneta
anett anette anezka anfisa angel angela angeles angelia angelica angeliki angelina angeline angelique
angelo angie anh anibal aniela anika aniko anil anisa anissa anita anja anjali anjelica anjum anke ankit
ankita ann anna annabel annabella annabelle annalisa annamaria anne annegret anneli anneliese annemarie
annett annette anni annick annie annika annmarie anohito ansgar antal antero anthony antoine antoinette
anton antonella antoni antonia antonietta antonin antonina antonio antonis antony anu anupam anwar anya
anzhela aoi apostolos aputsiaq araceli aram arash arata archibald archie arend ari aria ariadna ariana
arianna arianne ariel arielle ariki arja arjun arjuna arkady arleen arlena arlene arlette armaan arman
armand armando armen armin armindo arnar arnaud arnav arnd arne arno arnold aroha aron arpad arpita
arsen arseny artem arthur artie arto artur arturo artyom arun aruna aryan asa asahi asbjorn asel asgeir
asger asha ashanti ashish ashlee ashleigh ashley ashli ashlie ashly ashlyn ashok ashot ashraqat ashton
asiya asja askar aslan asmita assil assunta aster astrid asuka ataahua athanasios athena athina atli
atsushi attila aubrey aud audra audrey audri audry augustina augustine augusto augustus aulikki aurelia
aurelie aurelio austeja ava avery avi avigail awa axel aya ayaan ayaka ayako ayana ayanna ayesha aygun
aykhan aylin ayman ayn ayodele ayse aysel ayten ayumi azamat aziz azra azuna babajide babak bahram
bakary bakyt balazs baldur balint bandar bandile banele bao baptiste baraka barbara barbel barbora
barbra baris barney barrett barry bart bartholomew bartlomiej bartosz bas bashir basia bastian bayarmaa
bea beata beatrice beatriz becca becky behnam bela belinay belinda ben bence benedetta benedikt bengt
benita benito benjamin bennie benny benoit benson berat berk bernadett bernadette bernadine bernard
bernardo bernat bernd bernhard bernice bernie bert bertha berthold bertie bertram bertrand beryl beshoi
besnik bess bessie beth bethanie bethany betsy bette bettie bettina betty bettye beula beulah bev
beverley beverly bhavna bianca bibek biff bilal biljana billie billy bin binh binita bintou birgir
birgit birgitta birte bishal bismah bjarki bjarne bjork bjorn blagoja blaine blair blake blanca blanche
blanka blaz blaze blerim blossom blythe bo bob bobbi bobbie bobby bodil bodo bogdan boglarka bogumil
bogumila boguslaw bohdan bohdana bohumil bohuslav bojan bojana bola bolormaa bonita bonnie borge
borghild boris borislav borislava borje borka borys boyd bozidar bozydar brad bradford bradley brady
bram branden brandi brandie brandon branislav branka branko breanna bree brenda brendan brendon brenna
brent brenton bret bretislav brett brian briana brianna brianne brice bridget bridgett bridgette brigid
brigitta brigitte brita britney britt brittany brittney brittni brittny bronislaw bronislawa bronwyn
brooke bruce bruno bryan bryanna bryce brynjar brynn bryon buck buddy bulat burak burkhard burt burton
buster byron caio caitlin caitlyn cal caleb calista callie calvin camelia cameron camila camile camilla
camille camilo can candace candice cara carey carina carissa carl carla carlene carley carlie carlo
carlos carlota carlotta carlton carly carmel carmela carmella carmen carol carole carolina caroline
carolyn carrie carrol carroll cary casandra casey caspar cassandra cassidy cassie catalin catalina
catarina caterina catherina catherine cathleen cathryn cathy catrina cayetana cayla cecelia cecil cecile
cecilia cecily cedric cees celeste celia celina celine cem cemal cengiz cesar cesare cezary chad chandra
chanelle chantal chantelle chao charalambos charbel charis charissa charla charlena charlene charles
charlette charley charlie charlotte charmaine chas chase chau chedeline chelsea chelsey chen cher cheri
cherie cheryl chester chet cheyenne chi chiara chidi chidinma chieko chiharu chika chinedu chinwe chioma
chiyo chloe chris chrissy christa christal christelle christen christiana christiane christie christina
christine christoph christophe christopher christos christy chrystal chuck chukwuemeka ciara ciaran
cierra cindi cindy ciro clair claire clara clare clarence clarice claris clarissa claude claudette
claudia claudine claudio claus clay clayton clemens clement cleo cleopatra cletus clifford clifton clint
clive clotilde clyde cody colby cole coleen colette colin colleen collin colton conceicao concepcion
concetta connie connor conor conrad constance constantin constanza consuelo cor cora coralie cordelia
corentin corey cori corina corine corinna corinne cornelia cornelis cornelius corrado corrie corrine
cory cosimo costanza courtney courtni courtny craig cristal cristian cristiano cristina cristobal csaba
csilla ctibor cuong curt curtis cyndi cynthia cyril cyrus czeslaw daan dagmar dagny dagur dahlia daichi
daiki daina daisuke dalal dale dalia dalibor dalma damaris damia damian damien damion damon dan dana
danette dani danica daniel daniela daniele daniella danielle danika danilo daniz danny daphna daphne
dara darby darcey darcie darcy daren daria darin darina dario darius dariush dariusz darko darla darlena
darlene darnell darrel darrell darren darrin darryl darya daryl dave davi david davida davide davina
davit davor dawit dayle dayna dayo deana deandra deandre deann deanna deanne deb debbie debby debora
deborah debra debrah dede dee deedee deena deepa deepak defne deidre deirdre dejan dela delbert delia
delilah della delores deloris delphine demetria demetrius dena denes denice denis denise deniz dennis
denny deon derek derrick derya deshawn desiree desmond despina detlef dev devan deven devendra devin
devon dewayne dewey dexter dezso dhia diana diane dianna dianne diarmuid didier dieter dietmar dietrich
dillon dilnoza dimitar dimitra dimitri dimitrios dimitris dina dinah dinesh diogo dion dionne dirk divya
diya djeneba dmitri dmitriy dmitry dobromila dobroslaw doina dolores domenico domingo domingos dominic
dominick dominik dominique dominykas domokos don dona donald donatella dong dong-hyun donghyun donna
donnell donnie donny donovan dora doreen dorian dorin dorina doris dorla dorota dorothea dorothy dorthy
dottie doug douglas dovydas doyle dragan dragana dragica drago drahomira drahoslav drew dries dritan
duane duc dudley dumitru duncan dung dusan dusanka dusko dustin dwayne dwight dylan dyllan ebba ebenezer
ebere eberhard ebru ecrin ed eddie ede edel edeltraud eden edgar edie edin edina edit edite edith edmond
edmund edna edoardo eduard eduardo edward edwardo edwin edwina edyta eero eeva eevi efim efrain efren
efthymios efua egill egon egor eigil eija eila eileen einar eino eirikur eisha eitan ekaterina ekkehard
ekta ela elaina elaine elana elbert eldon eleanor eleftheria eleftherios elemer elen elena eleni
elfriede eli eliana elias elicia elida elie elif elijah elin elina eline elinor eliot elira elisa
elisabeth elisabetta elise elisha eliska eliza elizabete elizabeth elizaveta elke ella ellen elli ellie
elliot elliott ellis elly elma elmer elnora elodie eloise elouise els elsa elsebeth elsie elton elva
elvin elvina elvira elvis elwood elzbieta ema emanuel emanuela emanuele emeka emel emelda emeline emely
emerald emerson emery emese emi emil emile emilee emilia emiliano emilie emilija emilio emilis emily
emina emine emir emirhan emma emmaline emmanuel emmanuelle emmeline emmett emmie emmy emoke emre
encarnacion endre engin enid eniko enoch enrico enrique enzo eoin ergi eri eric erica erich erick ericka
erik erika erin erkki erma ermanno ernest ernestina ernestine ernesto ernie erno ernst errol ervin erwin
eryn erzsebet esa eskil esko esma esmeralda espen esperanza esra esteban estela estele estella estelle
ester estere esther estrella eszter etelka ethan ethel etienne etsuko etta ettore eugen eugene eugenia
eugenie eun-ji eunice eunji eva evan evangelia evangelina evangeline evangelos evelin evelina evelyn
evens everett evert evgeni evgenia evgeny evi evie evita ewa ewald ewelina eymen eythor eyvind ezra
fabian fabien fabienne fabio fabrice fabrizio fadi fahd faisal fajr falk fang fanni fanta farah farhad
farhan farhiya farid farida faris farkas farrah farrukh farzana farzaneh fatemeh fatih fatiha fatima
fatin fatma fatmir fatoumata fay faye federica federico fedor felecia felicia felipe felix femi femke
feng fenna ferdinand ferdinando ferenc fereshteh fergus ferhat fernanda fernando fidel fien filip filipa
filipp filippo finn finnur fiona fionn fiorella flavio fletcher floor flora florence florencia florian
florin floyd folake folke forrest foster foteini fozia fran franca frances francesca francesco francina
francine francis francisca francisco franciszek franck francois francoise frank frankie franklin
franklyn frans frantisek franz franziska fraser frauke fred freda freddie freddy frederic frederick
frederik fredrick fredrik freek freja frida fridrik frieda friedhelm friedrich fritjof frits fritz
fumiko funmilayo fyodor gabe gabi gabija gabor gabreal gabriel gabriela gabriele gabrielius gabriella
gabrielle gaby gaelle gaetan gaetano gale galen galina gamalat gamila gang gareth garland garnet garrett
garry garth gary gaspar gaurav gavin gayle gedeon geert geeta gemma gena genesis genevieve genna gennady
gennaro geoff geoffrey georg george georges georgette georgi georgia georgie georgina georgios georgy
gerald geraldina geraldine gerard gerardo gerben gerd gerda gergely gergo gerhard geri germaine gerrit
gerry gert gertrud gertrude gesa geza ghada gheorghe ghislaine gia giacomo giada giang gianluca gianna
gianni giannis gigi gijs gilbert gilberto gilda giles gilles gillian gina gino giorgi giorgia giorgio
giorgis giovanna giovanni gisela gisele giselle gisli gita giulia giulio giuseppe giuseppina gizella
gizem gladys gleb glen glena glenda glenn glenna gloria glynis godfrey gokhan golda goldie golnar
goncalo gonzalo goof googoosh gopal goran gord gordana gordon gorm gosia gottfried graca grace gracie
graciela grady graham grant graziella grazyna greg gregg gregor gregorio gregory greta gretchen grigory
griselda grover grzegorz guadalupe gudmundur gudrun gugu guido guilherme guillaume guillermo gul gulnara
gulsen gunay gunel gunhild gunnar gunnel gunnhildur gunter gunther guoqiang gus gustaf gustav gustave
gustavo guus gwen gwendolyn gwyneth gyongyi gyorgy gyula haakon habib habiba hadi hafdis hafsa hafthor
hai haile hailey hajnalka hakan hakon hal hala haley halim halima halina hallgrimur hallie halvard
halyna hamed hamid hamza hana hanah hanh hani hank hanna hannah hanneke hannele hannelore hannu hans
hansjorg hao haoran harald haraldur hariet hariette haris harish harlan harley harm harmony harold harri
harriet harriett harriette harry hartmut haruhito haruka haruki haruta haruto harvey hasan hasnaa hassan
hasti hatice hattie hauke hawa hayato hayden hayk hayley heath heather hector hedda hedvig heidi heidrun
heike heikki heiko heiner heinrich heinz heitor helen helena helene helga helge heli helio hella helmi
helmut helmuth hema hendrik henk henna henning henri henrietta henrik henrike henrique henry henryk
herbert herman hermann hermine herve hessa hester hideki hideo hieu hikari hilary hilda hilde hildegard
hildur hilkka hillary himari hina hinata hiroko hiromi hiroshi hiroto hisako hisham hjalmar hoa hoang
hoda hodan holger hollie homer hong honoka horace horacio horatio horia horst hortense hosna hosniya
hossein howard howie hrafn hrafnhildur hristo hrvoje hua huba hubert hugh hugo hugues hui humberto hung
huong huseyin huseyn hussa hussain hussein huub huy hyacinth hydar hye-jin hyejin hyun iain ian ibai
ibolya ibrahim ichika ida ifeoma ifrah ignacio igor ike ikenna iker ila ilaria ildiko ilene iliana ilija
ilina ilir ilkay ilker ilkka ilmari ilona ilse ilya imad iman imane imani imelda imogena imogene imran
imre indira ines inga inge ingeborg ingegerd ingemar inger ingibjorg ingo ingrid ingvar inji inmaculada
inna insa inuk inunnguaq ioan ioana ioanna ioannis ion iona ionut ira irakli irati iren irena irene
irfan irina irja irma irmeli irmgard irvin irving irwin isaac isabel isabela isabele isabell isabella
isabelle isadora isaiah isaias ishaan isiah isidora isla islande ismael ismail isobel issac istvan itai
itsuki iulia iva ivaana ivalu ivan ivana ivanka ivar ivett ivica ivo iwona izabella izaro jaakko jaap
jabari jacek jacinda jacinta jacinto jack jackie jacky jaclyn jacob jacoba jacquelina jacqueline
jacquelyn jacques jada jaden jadwiga jae-hyun jaehyun jaime jaka jake jakob jakov jakub jamal james
jameson jami jamie jamil jamison jammie jamshid jan jan-hendrik jana janae jane janele janelle janessa
janet janette jani janice janie janina janine janis janne janneke jannik janos janusz jaqueline jared
jari jarmo jarno jarod jaromir jaroslav jaroslava jaroslaw jarrett jarrod jarvis jasmin jasmina jasna
jason jasper javier javiera jaya jayden jayne jayson jazmin jazmine jeana jeane jeanette jeanie jeanina
jeanine jeanna jeanne jeannette jeannie jeannina jeannine jed jedrzej jeff jeffery jeffrey jeffry jelena
jelle jen jena jenelle jenifer jenna jennette jenni jennie jennifer jenny jeno jens jerald jere jeremiah
jeremy jeri jermaine jeroen jerome jeronimo jerri jerry jerzy jesica jesper jess jesse jessica jessie
jesus ji-ho ji-soo ji-woo jiahui jian jianguo jiawei jiayi jie jiho jil jilian jill jillian jim jimena
jimi jimmie jimmy jindrich jindriska jing jiri jiro jisoo jitka jiwoo jo joachim joan joana joane joann
joanna joanne joao joaquim joaquin jocelyn jochen jodi jodie jody joe joel joelle joesph joey johan
johana johann johanna johannes john johnathan johnathon johnie johnnie johnny joke jokubas jolan jolanta
joleen jolena jolene jon jonah jonas jonathan jonathon joni jonny joost jordi jordon jorg jorge jorgen
joris jorma jorn jort jorunn jos jose josef josefa josefina josefine joselyn joseph josephina josephine
josette josh joshua josiah josiane josie josip josue jouko jovan jovana joya joyce jozef jozsef juan
juana juanita jude judeline judit judith judy juha juhani jukka julen jules julia julian juliana
julianna julianne julie julien julienne juliet julieta juliette julio julissa julius juma jun junaid
junko jure jurgen jussi justin justina justine justyna jutta juuso jyoti jyrki kaarina kabita kacey
kacper kadiatou kaede kai kaia kaisa kaitlin kaitlyn kaito kaj kajal kajus kaleigh kalevi kali kalle
kallie kalliopi kamal kamala kamil kamila kamile kamran kana kanata kanyakumari kaori kaoru kara karel
karen kari karim karima karin karina karissa karl karla karly karoliina karolina karoly karsten karyn
kasey kasia kaspar kasper kassandra kassie kat katalin katarina katarzyna kate katelyn katelynn katerina
katharina katharine kathem katherina katherine kathie kathleen kathrine kathryn kathy kati katia katie
katja katlyn katrin katrina katsumi katy kauko kauri kaveh kavita kay kaye kayla kaylee kayleigh
kazimierz kazuki kazuko kazuo kebede keeley keely keenan kees keiko keir keira keisha keisuke keith
kejsi kelemen keley keli kelley kelli kellie kelly kelsey kelsie kely kemal ken kenan kendall kendra
kendrick kenji kenna kenneth kenny kenta kenton kenyatta kenza kera kerem keri kermit kerri kerry
kerstin keven kevin khadija khadije khaled khalid khanh khawla kheira khongordzol khrystyna kia kiana
kiara kiera kieran kiersten kiley kim kimberlee kimberley kimberli kimberly kimmernaq kimmo kinga
kingsley kip kira kiran kiril kirill kirk kirollos kirsi kirsten kirsti kirstin kitti kiyoshi kizzy
kjell klaas klara klas klaus klavdia klea knud knut koen kofi koji kolbeinn konrad konstantin
konstantinos konul kori kornel kornelia kostas kota kourtney krasimir kresimir kris krishna krista
kristen kristi kristian kristie kristiina kristin kristina kristine kristjan kristoffer kristopher
kristy kristyna krisztina krystal krystyna krzysztof ksenia kujtim kumar kumiko kurt kurtis kveta
kvetoslava kwabena kwaku kwame kwasi kyla kyle kylee kylie kyls kyoko kyosti kyra kyriakos kyung-soo
kyungsoo lacey lacie lacy ladislav ladona ladonna laetitia lahja laia laila lajos lakesha lakshmi lamar
lambert lambros lamija lamont lan lana lance landon lara larisa larissa larry lars lashawn lasse laszlo
latasha latifa latisha latonya latoya laura laurel lauren laurence laurent lauri laurie lauryn laverna
laverne lavinia lawrence laxmi layla lea leah leana leandra leandro leane leann leanna leanne lech leda
leen leena leevi lehel lei leia leif leigh leila leilani leja lejla lela leland len lena lenka lenke
lennart lenny lenora lenore leola leon leona leonard leonardo leonel leonid leonie leonor leonora
leopold leora lerato lesedi lesley lesli leslie lesly lester leszek lethabo leticia letitia lettie lev
levan levente levi lex lexie leyla li lia liam lian liana lianne libbie libby libor libuse lidia lidya
lieke liepa lieselotte lieve lihua liisi lila lili lilia lilian liliana lilit liliya lilja lilla lillia
lillian lillie lilly lin lina linda lindita lindiwe lindsay lindsey lindsi lindsy lindy ling linh linus
lionel lior lisa lisbeth lisette liv livia liviu liz liza lizbeth lizette lizzie ljiljana ljubica lloyd
logan lois loke lola lolita long lonnie lora loraina loraine lorant loredana lorelei loren lorena lorene
lorenzo loretta lori lorie lorna lorraina lorraine lorri lorrie lothar lotta lotte lottie lou louella
louie louis louisa louise lourdes lovelie lovro lowell luana luann lubomir luc luca lucas lucia lucian
luciana luciano lucie lucien lucija lucile lucille lucinda lucio lucja lucy ludek ludmila ludovic
ludovica ludvig ludwig luela luella luigi luis luisa luise luiz lujza luka lukas lukasz luke lula lulu
lulwa luna lupe lupita luther lutz luuk luz lydia lyla lyle lyn lyna lynda lyndon lyndsey lyne lynette
lynn lynna lynne lynnette lynsey lyubomir lyubov lyudmila lyudmyla maaike maarit maarten maayan mabel
mable macarena macaulay macie maciej mack macy madalena madalyn maddalena maddie madeleine madelina
madeline madelyn madge madhu madison madonna mads mae magda magdalena magdalene magdolna maggie magnea
magnus magomed maha mahamadou mahammad mahdi mahesh mahmoud mahnaz mai maia maija maire maisie maite
maja majd majid maksim malachai malachy malak malcolm malen malgorzata malia malik malika malin malinda
mallory malte mamadou mami mana manaia mandakranta mandla mandy manfred manish manny manoj manon manuel
manuela mao mara marc marcel marcela marcell marcella marcelle marcello marcelo marci marcia marcie
marcin marco marcos marcus marcy mareike marek margaret margarete margarette margarida margarita marge
margery margie margit margo margot margret margrette marguerite mari maria mariah mariam mariamawit
mariami marian mariana mariane mariangela marianna marianne mariano maribel marie marieke mariela
mariella marija marijke mariko marilyn marina mario marion marios maris marisa mariska marisol marissa
marit maritta maritza marius mariusz marja marjatta marjo marjorie mark markel marketa marketta markku
marko markos markus marla marlena marlene marlin marlo marloes marlon marnie marquis marsha marshal
marshall marta marten martha marti martim martin martina martine marton marty marvin marwa mary maryam
maryan maryann marybeth maryjane marylou marzena masaki masako masao masaru masato masoud masoumeh
massimo matej mateo mateus mateusz matheus mathew mathias mathieu mathilde mathis matias matija matilda
matilde matt matteo matthew matthias matti mattia mattias mattie matty matus matyas maud maude maura
maureen maurice mauricio maurizio mavis maxim maxime maximilian maximiliano maximo maxina maxine maxwell
maybell mayra maysoun mayu mayumi mazie mckenzie meagan meena mees meg megan meghan megumi mehdi mehmet
mehran mei meike meiling mekdes mel melanie melek melina melinda melisa melissa mellisa melokuhle meltem
melvin mercedes meredith merel meriem merissa merja merjem merle meron merrill merve mervi mervin mervyn
meryem meryl mia micaela micah michael michaela michal michalis micheal michel michela michele michelle
michiko mick mickey micky midori mieczyslaw miguel mihaela mihai mihaly miho mika mikael mikaela mikaere
mike mikel mikhail miki mikkel mikko mikolaj mila milagros milan mildred milena milhouse milica
millicent millie milly milo milos miloslav miloslava milton mimi mimoza min min-jun mina minato mindy
minenhle minerva ming minh minik minjun minna minnie minoru mira miral miranda mircea mirella miriam
mirja mirjam mirjami mirlande miroslav miroslava miroslaw mirza misaki mitch mitchell mitsuko mitzi
miyar miyu mladen mobina modibo moe mohamad mohamed mohammad mohammed mohamud mohan moira moises mojca
mojtaba mollie molly momoka mona monica monika monique monte montserrat monty morgan moritz morten moses
moshe mostafa moussa mrignayani muhamed muhammad muhammed mukesh murad murat muriel musa mustafa
mustapha my mya mykhailo mykola myles myra myriam myrlande myrna myron myrtle myung na naasunnguaq nabil
nada nadeem nadene nadezhda nadia nadina nadine nadya nahia nahom naima nalla nam nana nanami nancy
nandini nandor nanette naoki naoko naomi naomie narek narges nasir nasrin nasser natalia natalie
nataliya natalya natasa natasha nate nathalie nathan nathanael nathaniel nathy natsuki naveed naveen
neal nebojsa necati ned neema neha nehir neil nejc nel nela nelisa nell nellie nelson nemanja nena nenad
nerea nerissa nesreen neville nga ngoc nguyen nhung nia niamh nicholas nichole nick nicki nickolas nicky
nico nicola nicolae nicolas nicole nicoletta nicolette niels nienke nieves nigel niharika niilo nik nika
nikau nikhil niki nikita nikki niklas niko nikola nikolai nikolaos nikolay nikolett nikolina nikos nila
nilay niles nils nina ning nino nisanur nisha nita nivi njal nkechi nkosi noa noah noam noel noella
noelle noemi nojus nolan nomaan nomvula noor noora noortje nora norah norbert noreen noriko norma norman
nouf nour nuka nuno nur nuray nurlan nurul nyla obinna octavia octavio odelia odette odile odval ofelia
ognjen oier oili oisha oksana ola olaf olafur olav ole oleg oleksandr oleksiy olena olga olha oliver
olivia olivier olli ollie olof olumide oluwaseun omar omer ondrej onni onur oona ophelia orazio orban
orhan ori orsolya ortwin orville orvokki osama osamu oscar oskar osman osmo ostap osvaldo oswald otakar
otavio otis otto otylie oumar oumou ourania outi ove ovidiu owen oyunbileg ozgur ozlem paavo pablo
padraig paige paivi palesa paloma pam pamela panagiota panagiotis pandora paninnguaq panna paola paolo
paraskevi parisa parvati parviz pascal pascale pasi pasquale pat patrica patrice patricia patrick patrik
patrizia patti pattie patty paul paula paulette pauli paulie paulina pauline paulo paulos pavel pavla
pavlina pavlo pavlos pawel payam paz pedro peg peggy pekka penelope pentti per percy perla pernille
petar pete peter petr petra petri petro petros petya phil philip philipp philippe phillip philomena
phoebe phong phuong phylis phyllis pia pierce pierre pieter pietro pilar pim pinar ping piotr pipaluk
pirjo pirkko piroska plamen polina polly pooja portia poul pradeep prakash pranav prasad pravit predrag
preeti prem premysl preston primoz priscila priscilla priya priyamvada priyanka prudence przemyslaw
puteri pyotr qiang quang queenie quentin quiana quincy quinn quinton quynh rabina rachael rachel rachele
rachelle rachid rachida radek radim radka radomir radoslav radoslaw radovan radu rae rafael rafaela
rafal raffaele raffaella rafiq ragnar ragnheidur ragnhild rahim rahul raija raili raimo raimundo raina
rainer raisa raj raja rajesh rajiv rakesh ralf ralph raluca ram ramesh ramiro ramon ramona ramzan randal
randall randi randolph rani rania raoul raphael raquel rashad rashid rasmus ratko rauha raul ravi rawiri
rayan raymond rayna reanna reba rebeca rebecca rebeka rebekah recep reece reem reema regan reggie regina
reginald regis reid reihaneh reijo reiko reina reinhard reinhold reka rekha remi ren rena renae renata
renate renato rene renee renzo reta reuben reyansh reyes reyna reynaldo reza rhea rhett rhiannon rhoda
rhona rhonda ria ricardo riccardo richard richelle richie rick rickey ricki rickie ricky rico rie riikka
riitta rik rika rikki riko riku riley rima rimas rin rina risto rita ritva riya riza rizwan roan rob
robbie robbin robby robert roberta roberto robyn rocco rochele rochelle rocio roderick rodger rodney
rodolfo rodrigo roel rogelio roger roghayyeh rohan rohit rok roland rolanda rolando rolf romain roman
romano romeo ron ronald ronan ronda roni ronna ronnie ronny rory rosa rosalia rosalie rosalina rosalind
rosalinda rosalyn rosanna rosanne rosario roscoe roseann roseanne rosella roselle rosemarie rosemary
rosetta rosie roslyn ross rossella rostislav rowan rowena roxana roxane roxanna roxanne roxie roxy roy
roya royce rozalia rozsa ruben rubin rubina rudiger rudolf rudolph rudy rufus rui rumen rune rupert
ruslan russ russel russell rustam rutger ruth ruthie ruud ruzena ryan ryo ryota ryou ryszard ryu saanvi
sabina sabine sabrina sachiko sachin sade sadia sadie sadiq saeed sahar said saida saima sakeena sakineh
sakura sal salah salik salim sallie sally salma salome salvador salvatore sam samantha sami samir samira
samkelo sammie sammy samuel samuele sandeep sander sandor sandra sandrine sandro sanja sanjay sanjeev
sanna sanne santeri santiago santina santino santosh saqib sara sarah sarina sarita sarolta sasha saskia
satoshi satu saul saule savanna savannah sayaka scarlett scot scott scottie scotty seamus sean sebastian
sebastiao sebastien seema seija sekou selam selamawit selena selene selim selin selina selma semyon
seo-yeon seojun seoyeon sepp seppo serena serge sergei sergey sergio serife serkan setayesh seth sevda
severine sevgi sevinj seymour shahd shahid shaikha shaim shaimaa shakira shalini shamil shan shana
shanaya shanda shane shania shanna shannon shanon shanti shaquille shari sharif sharlene sharmila sharon
sharron sharyn shaun shauna shawn shawna shay shayla shayma shayna shayne shazia shea sheba sheena
sheila shelby sheldon shelia shelley shelly shelton sheri sheridan sherifa sherman sherri sherrie sherry
sheryl sherzod shigeru shiloh shilpa shin shinji shira shirin shirley shirli shirly shiva shlomo sho
shona shota shpresa shreya shristi shuang shweta shyla siamak sibel sid siddhartha sidney sierra sietske
sigmund sigrid sigridur sigrun sigurbjorn sigurd sigurdur silas silke sillin silvia silvio simon simona
simone sinan sindy sinikka siobhan sipho siri sirkka sirpa sisko sita siti siyabonga sjaak sjoerd skip
skye slavica slavomir slawomir slobodan sneha snezana sobia socorro sofia sofie sofija soili sointu
solange soledad solomon solveig solvej somayyeh son sondra sonia sonja sonya soo-jin soojin sophia
sophie sora soraya soren sorin sota sotiris souleymane souta spela spencer spike spyros srdjan sri
stacey staci stacie stacy stan stanislav stanislava stanislaw stanley starla stavros stefan stefanie
stefano stefanos steffen steinar steinunn stela stelios stella stepan stephan stephane stephanie stephen
steve steven stevie stew stewart stig stijn stjepan stoyan stu stuart sue suha suleyman suman sumayah
sumit sune sung-min sungmin sunil sunita suraj suresh susan susana susane susanna susannah susanne
sushma susi susie suzan suzana suzane suzanna suzanne suzette suzie suzy svanhildur svatava svatopluk
svein sven svend svetlana swati sybil syd syed sylvain sylvester sylvia sylvie sylwia szabolcs szilard
szilveszter szilvia szimonetta szymon tabatha tabitha tadej tadeusz tadgh taha tahir taichi taika taina
taisia taisto takahiro takashi takeshi takumi tala talia talitha tam tamar tamara tamas tamera tami
tamika tammi tammie tammy tamra taneli tania tanika tanisha tanner tanvi tanya tao tapani tapio tara
tarana taras tareq tarik tariq tarja tarkan taro taryn tasha tasnim tatiana tatsuki tatsuya tatyana
tawana ted teddy teemu tegan tellervo tendai teodor teodora terence teresa terez tereza terhi teri tero
terrance terrell terrence terri terrie terry tesfaye tess tessa tessie tetsuya teun teuvo thabo thad
thaddeus thalia thandolwethu thanh thanos thao thea thelma themba theo theodor theodora theodore
theodoros theresa therese thi thiago thibault thierry thijs thom thomas thomasina thor thora thorarinn
thordis thorsteinn thorsten thorvaldur thu thuy tia tiago tiana tianna tiara tibor tien tiffany tigran
tihomir tiina tijn till tilo tim timea timmy timo timofei timothy timur tina tineke tingting tisha titus
tiziana tjeerd tobias toby tod todd todor toivo tom tomas tomasz tomislav tommaso tommi tommie tommy
tomoharu tomoko toni tonia tony tonya topi tor tora tore tori torstein torsten toshiko toshio tove
tracey traci tracie tracy trang travis trent trenton trevor trey tricia trijntje trina trine trish
trisha trista tristan trond troy trudy truman trung truus tsubasa tsvetan tuan tugba tui tuija tula
tunar tuncay tunde tuomas tuomo turid turki tuula tuuli tuulikki tuyet ty tyler tyra tyrone tyson uche
udo ughur ugne ugo ugur ulf ulla ulrich ulrik ulrika ulrike ulugbek ulyana ulysses uma umar umberto umut
unax unnur unto urho uri urska ursula urszula urte usha usman uta ute uwe uxue vaclav vaclava vadim val
valbona valdis valentin valentina valentine valeri valeria valerie valery valtteri van vance vanesa
vanessa vappu varun vasile vasili vasiliki vasilis vasilisa vasily veda veikko veli velichko velma
vendula venla vera vern verna vernice vernon veronica veronika veronique vesa vesna vibeke vic vicente
vicki vickie vicky victor victoria viet vigdis viggo vihaan vijay vikas vikky vikram viktor viktoria
viktorie viktorija vilde vilho viljo ville vilmos vilte vinay vince vincent vincenzo vinh vinod violeta
viorel virgil virginie vit vitaly vitezslav vitor vitoria vittoria vittorio vivaan vivek vivian viviana
vivien vivienne vlad vladimir vladislav vlado vlasta voitto vojtech volkan volker volodymyr vratislav
vusala vyacheslav wade wagner wakana waldemar walid wallace wally walt walter waltraud wambui wanda
wanjiru warsame washington wataru waylon wayne wei weiming wendell wendi wendy werner wes wesley wessel
weston whitney whitni whitny widelene wiebe wieslaw wieslawa wiktor wiktoria wila wilbert wilbur wiley
wilfred wilfredo wilfrid wilfried wilhelm wilhelmina willa willard willem willemijn william willie
willis willow willy wilma wim winfried winifred winnie winnifred winona winslow winston witold wladyslaw
wlodzimierz wojciech wolfgang woodrow wout wouter wyatt xavier xhoel xiaomei xiaoming xiaoyan ximena xin
xinyi xiu xuan yael yagmur yahli yakov yan yanis yann yannick yarin yaroslav yaroslava yasaman yasemin
yash yasmin yasmine yasser yassin yassine yasuko yasuo yavuz yekaterina yelena yen yerlan yesenia
yevgeni yevgeny yi yiannis ying yngve yogesh yoko yolanda yonas yonatan yonathan yong yordan yosef
yoshiko yoshio yosuke young-ho youngho yousouf youssef yrjo yu yuen yui yuina yuka yuki yukiko yulia
yumi yumiko yun yuna yuri yuriy yury yusif yusuf yusuke yuta yuto yutong yuuma yuval yuxuan yves yvette
yvona yvone yvonna yvonne zac zach zachariah zachary zachery zack zackary zada zahid zahra zaid zainab
zakaria zakhar zan zane zanele zara zarema zaur zawadi zbigniew zbynek zdenek zdenka zdenko zdravko
zdzislaw zeeshan zehra zeinab zelda zeljko zelma zena zenon zeynab zeynep zhanna zhen zhi zhihao zhiwei
ziad ziga zihan zinaida zineb zita ziyi zlatko zodwa zoe zoey zofia zola zoltan zora zoran zorica zosia
zoya zsanett zsofia zsolt zsuzsa zsuzsanna zurab zuzanna zvonimir zygmunt
`;

export const SURNAMES = `
abbas abbasi abdullah abe abramov acosta adamczyk adams adamski adeyemi adler afanasiev agafonov agarwal
ageev aggarwal aguilar ahmadi ahmed ahn ahonen akhtar akimov aksenov albrecht alekseev aleksejev
alexander alexandrov ali aliyev allen almeida alonso alvarez alves amato amundsen andersen anderson
andersson ando andov andreassen andreev andrejev andrews andrianov andrzejewski angelis angelov angelova
anisimov ansari antal antoniou antonov aoki arai araujo araya arias arkhipov armstrong arnold arora
arslan asante aslan atchison atkinson avdeev ayala aydin aziz babic bach bae baek baez bahk bahng bai
baig bailey bak baker bakken bakker balashov balazs baldwin balog balogh balogun bandara bandyopadhyay
banerjee banik bansal baran baranov baranowski barbieri barbosa barnes barnier barone bartlett barua
bashir basile bates battaglia bauer baumann bazhenov beck becker beckham beethoven begu bektashi bell
bellini belousov belov belyaev belyakov benedetti benes bengtsson benitez bennett berezin berg berger
berglund bergman bergmann bergstrom berisha bernardi bernasconi berndsen bhak bhang bhatia bhoumik
bhowmik bhuiyan bianchi bianco biro biryukov bishwas bjork black blanco blazek blazevic blinov blondal
boateng bobrov bocharov bodnar boer bogdan bogdanov bogomolov bohm bolshakov bondar bondarenko bonik
borisenko borisov borkowski borodin boros boruya bos bose bosu bouchard boyd boyko bozic bozinov bradley
brandt brankov braun bravo briem brooks brouwer brown browne bruno bryant brzezinski buchanan budai bui
burke burns busch butler butt bykov byrne bytyqi caballero cabrera caceres cai calderon calvo campbell
campos cano cao caputo carbone cardoso cardozo carlsson carmona carr carrasco carter caruso carvalho
castillo castro cattaneo cavadini ceban cebotari celik cengic cereghetti cermak cerna cerny cetin chakma
chakraborty chan chand chang chapman chatterjee chattopadhyay chaudhry chauhan chavez che chen cheng
cheon cheong cherkasov chernov chernyshev cheung chiba chistyakov chiu chmielewski cho choi chong chopra
choudhury choung chow chowdhury choy christensen christiansen christodoulou chung chwe cieslak ciobanu
clark clarke cohen cole coleman collins colombo conte conti contreras cook cooke cooper coppola corbyn
correa correia costa costantini cox crawford crespo crivelli cruz cui cunningham czarnecki czerwinski
d'amico d'angelo dabrowski dahl damcevski damico dang daniels danielsen danielsson danilov dankula das
datta davidov davidson davies davis davydov de deak debnath dekker delgado delic dementiev demidov demin
demir demirovic den deng denisov der dervishi desai deshpande devi dewan dias diaz dickinson dietrich
diez dijk dijkstra dimitriou dimitrov dimitrova ding dissanayake dixon djurhuus dlamini dmitriev do
dogan doherty dolezal dominguez donati donev dong dordevic dotto driscoll drozdov du duan duarte dubey
dubois duda dudek dumitru dunn duong duran durand duric dutta dvorak dvorakova economou eder edison
edwards efimov efremov egorov eide einstein eliseev elliott ellis emelyanov endo engel engstrom eremin
eriksen eriksson ermakov ermolaev ershov escobar espinoza esposito esteban estrada evans evdokimov
fabbri faber fadeev fan fang farina farkas farrell fazekas fedotov feher fekete feng ferguson ferhatovic
fernandes fernandez ferrara ferrari ferraro ferreira ferrer ferretti ferri fiala filatov filimonov
filipov filipovic filippov fiore firsov fischer fisher fitzgerald fjeldsted fleming flores fodor fokin
fomin fontana ford forsberg fortin foster fournier fowler fox frank franke fredriksson freeman freitas
friedman friedrich frolov fu fuchs fuentes fujii fujimoto fujita fujiwara fukuda fuller fulop gagne
gagnon gajewski gal galeano galkin gallagher gallardo gallego galli gallo gamage gandhi gao garcia
gardner garrido garza gashi gatti gauthier gavrilov gentile georgiev georgieva georgiou gerasimov
gheorghe ghosh gibson gil gimenez giordano giuliani gjonaj gjoni glowacki goldberg goldstein golovin
golubev gomes gomez goncalves goncharov gong gonzales gonzalez goode goodman gorbachev gorbunov gordeev
gordon gorelov gorshkov gorski goto goyal graaf grabowski grachev graf graham grant grassi grasso gray
grayling greco green greene grgic griffin griffith griffiths grigoriev grishin gromov groot gross gruber
gu guerra guerrero gulyas gundersen gunnarsson gunther guo gupta gusev gustafsson gutierrez guzman gwon
haas haddad hadzic hagen hahn hajek hakansson hall halvorsen hamalainen hamdan hamilton han hansen
hansson hao haque hara harada harding harper harris harrison hart hartmann hasani hasanov hasanovic
hasegawa hashimoto hassan haugen haung hawkins hayashi hayes he hegedus heikkila heikkinen heinonen
heinrich hemingway henderson hendriks henriksen henriksson henry heo hernandez herrera herrero herrmann
hess hicks hidalgo higgins hill hirano hitchcock hjaltalin ho hoang hodzic hofer hoffman hoffmann
hofmann hojgaard hok holm holmes holt hong hopkins horak horakova horn horvat horvath horvathova hossain
hosseini hou howard howe hoxha hristov hristova hu huaman huang huber hughes hunt hunter hussain hussein
huynh hwang ibanez ibrahim ibrahimovic iglesias ignatiev ignatov ikeda iliev ilieva ilyin imai inoue
ioannou ionescu isaev ishida ishii ishikawa islam ito ivanou ivanov ivanova iversen iwasaki iyer
jablonski jackson jacobs jacobsen jafari jager jain jakab jakobsen jakobsson jakubowski james jang
jankovic jankowski jansen janssen janssens jansson jarvinen jasinski jaworski jelinek jenkins jennings
jensen jeon jhang jia jiang jimenez jin joensen johannesen johannessen johansen johansson johnsen
johnson johnston jokinen jones jong jonsson jordan jorgensen joshi joung jovanovic juhasz jung juric
kahn kaiser kalashnikov kalinin kalinowski kalloe kamau kaminski kane kaneko kang kaplan kapoor kara
karagiannis karasev karatas karimi kariuki karjalainen karlsen karlsson karpov kastrati kato katona kaur
kaya kayser kazakov kazlov kazmierczak kelemen keller kelley kelly kennedy khalil khan khanna kharitonov
khokhlov khoury khumalo kieffer kikuchi kilic kim kimura king kinnunen kinoshita kiraly kirillov kis
kiselev kiss klein klimov kluivert knezevic knight knutsen knyazev ko kobayashi koc koch kocsis kohler
kolar kolesnikov kolobov kolodziej komarov kondo kondratiev konig konovalov konstantinou konstantinov
kopylov korhonen korkmaz korneev kornilov korolev korotkov koskinen kostin kotov kovac kovacevic kovacic
kovacova kovacs koval kovalchuk kovalenko kowalczyk kowalski koyama kozhevnikov kozlov kozlowski
krajewski kral kramer krasniqi krasnov kraus krause kravchenko krawczyk kremer krishna kristensen
kristiansen kristoffersen kriz krol kruger kruglov kryeziu krylov kryukov kubiak kubo kucera kucerova
kucharski kudo kudryashov kudryavtsev kuhl kuhn kuleshov kulikov kulkarni kumar kumara kupriyanov kurt
kuzin kuzmin kuznetsov kvaran kwiatkowski kwok kwon lahtinen lai laine laitinen lakatos lammy lang lange
larin larionov larsen larsson laskowski laszlo lau lavoie lavrov lawson lazarev le lebedev lee leeuwen
lefebvre lefevre lehmann lehtinen lehtonen lei leitner leka lekaj lenin leon leone leonov leontiev leroy
levin lewandowski lewis li liang liao lie lim lima lin lincoln lind lindberg lindgren lindholm lindqvist
lindstrom lis litvinov liu liyanage lobanov loginov lombardi lombardo long longo lopes lopez lorenz
lorenzo lovric lowe lozano lu luca ludwig lukacs lukic lukin lukyanov lund lundgren lundin lundqvist
lungu luo lvov ly lynch lysenko lyubimov ma machado maciejewski madrigal madsen maeda magnusson magyar
mahlangu mahmoud maier majerus majewski makarov makela makinen makowski maksimov malhotra malik
malinowski maltsev malyshev mamani mammadov mancini mann mansour mao marchenko marchetti marciniak marek
mariani maric marin marini marino markin markov markovic marques marquez marroquin marshall martin
martinelli martinez martini martino martins martinsen martynov maruyama maslennikov maslov mason masuda
matei mathisen matic matsuda matsui matsumoto matsuo matthews mattila matveev mayer mayorov mayr mazur
mazurek mazza mccarthy mcdonald mclaughlin mclean medina medvedev meer mehmedovic mehmeti mehta meier
meijer mejia melnikov melnyk melo mendes mendez mendoza meng menon mensah mercier messi messier messina
meszaros meyer meyers michalak michalski micrachi mihhailov mikhailov mikheev mikkelsen milani miller
mills milosevic mironov mirza mishra mitchell mitrofanov miura miyamoto miyazaki moen mohammadi mohammed
mohan moiseev mokoena molchanov molina moller molnar monroe montanari monteiro montero montgomery monti
moon moore mora moradi morales moreau moreira morelli moreno moretti morgan mori morin morina morita
moroz morozov morris morrison mortensen morton moser moss moya mozart mueller mukherjee mukhin mulder
muller munoz munteanu murakami murata murati muratovic muravyov murphy murray mussolini mwangi myers
nagy naidu nair nakagawa nakajima nakamura nakano nakashima nakayama nam narayan nash nasser naumov
navarro navratil nazarov ndlovu nechaev nefedov negri neilson nekrasov nelson nemcova nemec nemeth neri
nesterov neumann ngo nguyen nichols nicholson nielsen niemi nieminen nieto nikiforov nikitin nikolaev
nikolaou nikolic nikolov nikolova nikolsky nikonov nikulin nilsen nilsson nishimura nixon njoroge nkosi
noguchi nomura norodahl norris nosov novak novakova novikov novotna novotny nowak nowakowski nowicki
nunes nunez nyman obama obrien ochieng oconnor ogawa ogunleye oh ohno okada okafor okamoto okonkwo olah
oliveira oliynyk olofsson olsen olson olsson olszewski oneill onishi ono orellana orlando orlov orosz
orsos ortega ortiz orwell osborne osei osipov ostrowski ota otieno otsuka otto ovchinnikov ovsyannikov
owens owusu ozcan ozdemir ozkan ozturk pagano pahk pahng pak pakhomov palmer palmieri palumbo pan pandey
panin pankratov panov pap papadakis papadopoulos papp pappas parisi park parker parra pascual pastor
patel patil patterson paulsen pavic pavlov pavlovic pawar pawlak pawlowski payne pearson pedersen
peeters pellegrini pellegrino pena peng pereira perera peretz perez peric perkins perry persson peters
petersen peterson petrenko petrov petrova petrovic pettersen pettersson petukhov pfeiffer phak pham phan
phang phillips picasso pichler pierce piero pietrzak pillai pinas pinter pinto piotrowski piras platonov
plotnikov pohl pokorny pokrovsky polat polishchuk polyakov ponomarev popescu popov popovic porter
portillo pospisil potapov poulsen powell prasad price prieto prifti prochazka prochazkova prokhorov
prokofiev przybylski putin qian qin qiu quispe qureshi racz radic radu rahimi rahman ramirez ramos
rantanen rao rasmussen rathore ravelli reagan reddy reed rees reis reiter ren reuter reyes reynolds
rezaei ribeiro ricci rice richards richardson richter ries rinaldi riva rivas rivera rizzi rizzo roberts
robertson robinson rocha rodin rodionov rodrigues rodriguez rogers rojas roman romano romanov romero
roosevelt rosa rose rosenberg ross rossetti rossi rotari roth roux rowe rowling roy rubio rudenko
ruggiero ruiz rumyantsev russell russo rusu rutkowski ruzicka ryabov ryan ryang rybakov ryoo ryu
saarinen sadeghi sadowski saez safonov sahin said saito sakai sakamoto sakharov sakurai sala salas saleh
salihovic salminen salo salonen samoilov samsonov sanchez sandberg sanders sandor sanna sano santana
sante santiago santis santoro santos sanz saric sartori sasaki sato sauer saunders savchenko savelyev
savic savin savolainen sawicki sazonov schafer scheving schiltz schmid schmidt schmit schmitt schmitz
schneider scholz schreiber schroder schroeder schubert schulte schulz schulze schumacher schuster
schwarz scott sedlacek sedov segura seidel seinfeld seleznev selivanov semenov semjonov semyonov sen seo
seoh sepulveda sergeev serov serra serrano sethi shah shala shao shapovalov sharma shaw shcherbakov
shehu sheikh shen shestakov shevchenko shevchuk shi shibata shilov shimizu shin shirokov shishkin shukla
siddiqui sidorov sikora sikorski silva silvestri simmons simon simonov simonsen simpson simsek sinatra
sinclair singh sinha sipos sirbu skvortsov smirnov smit smith smits smyth snyder soares sobczak sobolev
sofronov sokolov sokolowski solberg soler soloviev solovyov sommer somogyi son song sorensen sorokin
sorrentino sosa soto soung sousa souza spencer spiridonov stalin starmer steele stein steiner stepanov
stephens stepien stevens stevenson stewart stoica stojanovic stone stoyanov stoyanova strand su suarez
subotic sugawara sugimoto sugiyama sullivan sun suvorov suzuki svendsen svensson svoboda svobodova szabo
szalai szczepanski szekeres szewczyk szilagyi szucs szulc szymanski szymczak tahirovic takacs takada
takagi takahashi takeda takeuchi tamura tan tanaka tang taniguchi tao tarasov tate tavares taylor
teixeira terekhov terentiev testa thatcher thill thomas thompson thomsen thomson thorarensen thorlacius
tian tikhomirov tikhonov timofeev titov tiwari tjin tkachenko tkachuk todorov todorova tokarev tolstoy
tomaszewski tomic torok torres toth tran tremblay tretyakov trifonov trofimov tryniski tsui tsvetkov
tucker tuominen turcan turner turunen uchida ueda ueno ulyanov urban urbanski ushakov ustinov valentini
valenzuela valverde van vanek varga vargas vasiliev vasilyev vasquez vass vassiljev vazquez vega velasco
velasquez veres verma vesela vesely vicente vidal vidovic vieira villa villalba villalobos vinogradov
virtanen visser vitale vitali vivaldi vlachos vladimirov vlasov vo vogel vogt voigt volkov vorobiev
vorobyov voronin voronov vorontsov vos vries vu vukovic waage wada wagner walczak walker wallace wallin
walsh walter walters walton wan wang ward warren washington wasilewski watanabe watson weaver webb weber
webster wei weiss wells welter werner west white wieczorek wilk wilkinson williams williamson wilson
wimmer winkler winter wisniewski wit witkowski wlodarczyk wojcik wolf wolff wong wood woods wozniak
wright wrobel wroblewski wu wysocki xia xiao xie xiong xu xue yadav yakovlev yamada yamaguchi yamamoto
yamasaki yamashita yamazaki yan yang yao ye yeun yeung yi yildirim yildiz yilmaz yin yokoyama yoo yoon
yoshida young yu yuan yudin yun zaitsev zajac zakharov zakrzewski zalewski zawadzki zaytsev zeman zeng
zhang zhao zhdanov zheng zhong zhou zhu zhukov zhuravlev ziegler zielinski zimin zimmermann ziolkowski
zotov zou zubkov zuev zverev
`;

export const COMMON_WORDS = `
aa aaa ab abandon abandoned abbreviated abc abilities ability able aboard abolished aboriginal abortion
about above abroad absence absent absolute absolutely absorbed abstract abundant abuse ac academic
academics academy accept acceptable acceptance accepted accepting accepts access accessed accessible
accident accidentally accidents acclaim acclaimed accommodate accommodation accompanied accompanying
accomplished accordance according accordingly account accounting accounts accredited accuracy accurate
accurately accusation accusations accused accusing ace achieve achieved achievement achievements
achieving acid acknowledge acknowledged acoustic acquire acquired acquisition acre acres across act
acted acting action actions activated active actively activist activists activities activity actor
actors actress acts actual actually acute ad adaptation adapted add added adding addition additional
additionally additions address addressed addresses addressing adds adequate adequately adjacent admin
administered administration administrative administrator administrators adminname admins admiral
admission admit admits admitted adopt adopted adoption adr adult adults advance advanced advances
advancing advantage advantages adventure adventures advertisement advertising advice advise advised
adviser advisor advisory advocacy advocate advocated advocates aen aerial aesthetic afc afded afds
affair affairs affect affected affecting affects affiliate affiliated affiliation afghanistan afl afraid
africa african after aftermath afternoon afterward afterwards ag again against age aged agencies agency
agenda agent agents ages aggregate aggressive ago agree agreed agreement agreements agrees agricultural
agriculture ah ahead aid aided aids aim aimed aims ain air aircraft aired aires airfield airing airline
airlines airport aka al alabama alaska albanian albeit alberta album albums alcohol alert algorithm
alias alien align alignment alive all allegations alleged allegedly alliance allied allies allocated
allow allowed allowing allows ally almost alone along alongside alpha alpine already also alt altar
alter altered alternate alternative alternatively alternatives although altitude altogether alumni
always am amateur amazing amazon ambassador ambiguous amended amendment america american americans
americas ammunition among amongst amount amounts amp amsterdam an analysis analyst ancestor ancestors
ancestry anchor ancient and andr angels anger angle anglican angry ani animal animals animated animation
anime anniversary announced announcement annual annually anon anonymous another answer answered answers
ant anthem anthology anthropology any anybody anymore anyone anything anyway anywhere ap apart apartment
apartments apologies apologize app apparent apparently appeal appealed appeals appear appearance
appearances appeared appearing appears apple applicable application applications applied applies apply
applying appointed appointment appreciate appreciated approach approached approaches approaching
appropriate appropriately approval approved approximate approximately apr april ar arab arabia arabic
arbcom arbitrary arbitration arbitrators arc arcade arch archaeological archaeology archbishop architect
architects architectural architecture archive archived archives arctic are area areas aren arena
argentina argentine args arguably argue argued argues arguing argument arguments arise arizona arkansas
arm armed armenia armenian armies armor arms army arose around arranged arrangement arrangements array
arrest arrested arrival arrive arrived arrives arriving arrow arsenal art article articles artifacts
artificial artillery artist artistic artists arts artwork as ash asia asian aside ask asked asking asks
asp aspect aspects aspx assassination assault assembled assembly assert asserted assertion assess
assessed assessment asset assets assigned assignment assist assistance assistant assisted assists
associate associated associates association associations assume assumed assuming assumption astronomer
astronomy at athens athlete athletes athletic athletics atlanta atlantic atlas atmosphere atomic atoms
attached attack attacked attacking attacks attained attempt attempted attempting attempts attend
attendance attended attending attention attitude attorney attract attracted attraction attractions
attractive attributed attributes attribution au auckland auction audience audiences audio aug august
aunt austin australia australian austria austrian author authored authorities authority authorized
authors auto autobiography automated automatic automatically automobile autonomous autumn auxiliary
availability available avenue average averaged aviation avoid avoided avoiding aw award awarded awards
aware awareness away axis az azerbaijan ba baby bachelor back backed background backing backup bacteria
bad badge badly bag balance balanced ball ballet ballot balls baltimore ban band bands bangladesh bank
banker banking bankruptcy banks banned banner baptist bar barcelona bare barely barn baron baronet
barracks barrel barrier bars base baseball based basement bases basic basically basin basis basketball
bass bassist bat bath batman battalion battalions batteries battery batting battle battles bay bbc bc
bce be beach beam bear bearing bears beat beaten beating beats beautiful beauty became because become
becomes becoming bed beds been beer before began begin beginning begins begun behalf behavior behavioral
behaviour behind beijing being beings belgian belgium belief beliefs believe believed believes believing
bells belong belonged belonging belongs below belt bench bend beneath benefit benefits bengal berkeley
berlin beside besides best bet beta better between beyond bgcolor bias biased bible biblical
bibliography bicycle bid big bigger biggest bike bill billboard billion bills binding bio biographical
biographies biography biological biology bird birds birmingham birth birthday bishop bishops bit bits
bitter blacklisted blacks blade blame blank blatant blind block blocked blocking blocks blog blogs
blogspot blood blow blp blue blues blurb board boarding boards boat boats bodies body bodyclass bold
bomb bomber bombers bombing bombs bond bonds bone bones bonus book books boom border bordered borders
bore born borough boss boston bot both bother bots bottle bottom bought boulevard bound boundaries
boundary bounded bout bow bowl bowling box boxer boxes boxing boy boyfriend boys br brain branch
branches brand brands brass brazil brazilian breach bread break breakfast breaking breaks breakthrough
breast breed breeding brewery brick bridge bridges brief briefly brien brigade brigadier bright
brilliant bring bringing brings brisbane bristol britain british broad broadcast broadcaster
broadcasting broadcasts broader broadly broadway broke broken bronze brook brooklyn brother brothers
brought browser brussels btw buddhist budget buenos buffalo bug bugs build builder building buildings
built bulgaria bulgarian bulk bull bullet bulletin bunch burden bureau burial buried burn burned burning
bus buses bush business businesses businessman busy but butterfly button buy buying by bypass bytes
byzantine ca cabin cabinet cable cache caf calculated calendar california call called calling calls calm
cambodia cambridge came camera cameras camp campaign campaigns camps campus canada canadian canal
canceled cancelled cancer candidate candidates cannon cannot canon canton canvas canyon cap capabilities
capability capable capacity cape capital capitol caps captain caption capture captured capturing car
carbon card cardinal cardinals cards care career careers careful carefully cargo caribbean carpenter
carried carrier carriers carries carry carrying cars cartoon carved case cases cash casino cast casting
castle casualties cat catalog catalogue catch categories category cathedral catholic catholics cats
cattle caught cause caused causes causing cavalry cave cbs cc ccffcc cd cdp ce ceased ceiling celebrate
celebrated celebration celebrations celebrities celebrity cell cello cells celtic cemetery censorship
census cent center centered centers central centre centres centuries century ceo ceremonies ceremony
certain certainly certificate certification certified cf cfcfff cfded cfm ch chain chains chair chaired
chairman challenge challenged challenges challenging chamber chambers champion champions championship
championships chance chancellor chances change changed changes changing channel channels chaos chapel
chapter chapters character characteristic characteristics characterized characters charge charged
charges charitable charity chart charted charter charts chassis cheap check checked checking checks
checkuser cheers cheese chef chemical chemicals chemist chemistry cherry chess chest chicago chicken
chief chiefs child childhood children chile chilean china chinese chip chocolate choice choices choir
choose choosing chorus chose chosen christ christian christianity christians christmas chronic chronicle
church churches cia cincinnati cinema circa circle circles circuit circular circulation circumstances
circus citation citations cite cited cites cities citing citizen citizens citizenship city civic civil
civilian civilians civilization cl claim claimed claiming claims clan clarification clarify class
classes classic classical classics classification classified classroom clause clean cleaned cleaning
cleanup clear cleared clearer clearly clergy clerk cleveland click client clients cliff climate climb
climbing clinic clinical clinton clock close closed closely closer closest closing closure cloth clothes
clothing cloud club clubs cluebot cluster cm cn cnn coach coached coaches coaching coal coalition coast
coastal coat code codes coffee cognitive coi coibot coin coined coins col cold collaborated
collaboration collaborative collapse collapsed colleague colleagues collect collected collecting
collection collections collective collectively collector college colleges collegiate collision colombia
colonel colonial colonies colony color colorado colored colors colour colours colspan columbia columbus
column columnist columns com combat combination combine combined combines combining come comedian comedy
comes comfortable comic comics coming command commanded commander commanders commanding commands
commemorate commenced comment commentary commentator commented commenting comments commerce commercial
commercially commercials commission commissioned commissioner commit commitment committed committee
committees common commonly commons commonwealth commune communicate communication communications
communist communities community compact companies companion company comparable comparative compare
compared comparing comparison compatible compensation compete competed competing competition
competitions competitive competitor competitors compilation compiled complained complaint complaints
complete completed completely completing completion complex complexity compliance complicated
complications comply component components composed composer composers composition compositions compound
compounds comprehensive comprised comprises comprising compromise computer computers computing con
conceived concentrated concentration concept concepts concern concerned concerning concerns concert
concerto concerts concluded conclusion conclusions concrete condemned condition conditions conduct
conducted conducting conductor confederate conference conferences confidence confident configuration
confined confirm confirmation confirmed conflict conflicts confused confusing confusion congo
congregation congress congressional congressman conjunction connect connected connecticut connecting
connection connections connects conquered conquest consciousness consecrated consecutive consensus
consent consequence consequences consequently conservation conservative consider considerable
considerably consideration considered considering considers consist consisted consistency consistent
consistently consisting consists console consolidated conspiracy constant constantly constituencies
constituency constitute constituted constitutes constitution constitutional construct constructed
construction constructive consultant consulting consumer consumers consumption contact contacted
contacts contain contained container containing contains contemporary content contentious contents
contest contestant contestants contested context continent continental continuation continue continued
continues continuing continuous continuously contract contracted contracts contrary contrast contribute
contributed contributing contribution contributions contributor contributors control controlled
controller controlling controls controversial controversy convent convention conventional conventions
conversation conversion convert converted convicted conviction convince convinced convincing convoy
cooking cool cooling cooperation cooperative coordinates coordination coordinator copenhagen copied
copies copper copy copyright copyrighted copyvio core cork corn corner corners corporate corporation
corporations corps correct corrected correctly correspondence correspondent corresponding corridor
corruption cost costs costume cottage cotton could couldn council councillor councillors councils
counsel count counted counter counties counting countries country countryside counts county coup couple
coupled couples courage course courses court courthouse courts cousin cover coverage covered covering
covers cr craft crash crashed crater crazy cream create created creates creating creation creative
creator creators creature creatures credible credit credited credits creek crest crew crews cricket
cricketer crime crimes criminal crisis criteria criterion critic critical critically criticised
criticism criticized critics croatia croatian crop crops cross crossed crosses crossing crowd crown
crowned crucial cruise cry crystal cs csd css ct cu cuba cuban cult cultural culture cultures cup
curator cure curious currency current currently curriculum curve curved custody custom customer
customers customs cut cuts cutting cycle cycling cyclone cylinder cyprus czech da dab daily dairy dakota
dallas dam damage damaged damages dame dance dancer dancers dances dancing danger dangerous danish dark
darkness data database date dated dates dating daughter daughters dawn day days db dc dead deal dealer
dealing deals dealt dean dear death deaths debate debates debt debut debuted dec decade decades deceased
december decent decide decided decides deciding decision decisions deck declaration declare declared
decline declined decorated decoration decorations decorative decrease decreased decree dedicated
dedication deemed deep deeper deeply deer default defeat defeated defeating defeats defence defend
defended defender defending defense defensive define defined defines defining definitely definition
definitions definitive defunct degree degrees del delaware delay delayed delegate delegates delegation
delete deleted deleting deletion deletions delhi deliberately deliver delivered delivery delta demand
demanded demanding demands demo democracy democrat democratic democrats demolished demolition demon
demonstrate demonstrated demonstrates demonstrating demonstration denied denmark denotes dense density
dental denver deny departed department departments departure depend dependent depending depends depicted
depicting depicts deployed deployment deposits depot depression deproded depth deputy derby derivative
derived derives des descendant descendants descended descent describe described describes describing
description descriptions desert deserve deserves design designated designation designed designer
designers designing designs desire desired desk despite destination destroy destroyed destroyer
destroying destruction detachment detail detailed details detect detected detection detective
determination determine determined determining detroit develop developed developer developers developing
development developments develops device devices devil devoted dfffdf dhaka di diagnosed diagnosis
diagram dialect dialects dialogue diameter diamond diary dick dictionary did didn die died diego dies
diesel diet differ difference differences different differently differs difficult difficulties
difficulty diffs dig digital dimension dimensions dining dinner diocese diploma diplomat diplomatic
direct directed directing direction directions directly director directors directory dirty disability
disabled disagree disagreement disambiguation disappeared disaster disbanded disc discharge discipline
disciplines discography discontinued discover discovered discovers discovery discrimination discuss
discussed discusses discussing discussion discussions disease diseases dish disk dismissed disney
disorder disorders display displayed displays dispute disputed disputes disruption disruptive
dissertation dissolved distance distances distant distinct distinction distinctive distinguish
distinguished distribute distributed distribution district districts div diverse diversity divide
divided divine diving division divisions divorce divorced dj dna doc dock doctor doctoral doctorate
doctors doctrine document documentary documentation documented documents does dog dogs doi doing dollar
dollars domain domains dome domestic dominant dominated dominican donated donation donations done dont
door doors dos dot double doubles doubt down download downtown dozen dozens dr draft drafted drafts drag
dragon drainage drama dramatic draw drawing drawings drawn draws dream dreams dress dressed drink
drinking drive driven driver drivers drives driving drop dropped dropping drove drug drugs drum drummer
drums dry ds dual dubbed dubious dublin duck due duet duke duo duplicate duration durham during dust
dutch duties duty dvd dying dyk dynamic dynamics dynasty each eagle eagles ear earl earlier earliest
early earn earned earning earth earthquake ease easier easily east eastern easy eat eating ec echo
ecological economic economics economist economy edge edges edinburgh edited editing edition editions
editor editorial editors edits eds edu educated education educational educator efcfff efefef effect
effective effectively effectiveness effects efficiency efficient effort efforts eg egg eggs egypt
egyptian eight eighteen eighth either el elaborate elder elderly eldest elect elected election elections
electoral electric electrical electricity electron electronic electronics element elementary elements
elephant elevated elevation eleven eleventh eligible eliminate eliminated elimination elite else
elsewhere em email embarked embassy embedded emerged emergency emerging emeritus emigrated emissions
emotional emotions emperor emphasis empire employed employee employees employer employers employment
empress empty en enable enabled enables enabling enacted enclosed encoded encompasses encounter
encountered encounters encourage encouraged encouraging encyclopedia encyclopedic end endangered ended
endemic ending endorse endorsed ends enemies enemy energy enforce enforcement engage engaged engagement
engaging engine engineer engineering engineers engines england english enhance enhanced enjoy enjoyed
enlarged enlisted enormous enough enrolled enrollment ensemble ensure ensuring enter entered entering
enterprise enterprises enters entertainment entire entirely entities entitled entity entrance
entrepreneur entries entry environment environmental environments enzyme ep epic episcopal episode
episodes equal equality equally equation equations equipment equipped equity equivalent er era erected
error errors es escape escaped escort ese especially espn essay essays essential essentially essex est
establish established establishing establishment estate estates estimate estimated estimates et etc
ethical ethics ethnic ethnicity eu europe european ev evaluate evaluation eve even evening event events
eventual eventually ever every everybody everyday everyone everything everywhere evidence evident evil
evolution evolutionary evolved ex exact exactly exam examination examine examined example examples
excellence excellent except exception exceptional exceptions excess excessive exchange excluded
excluding exclusive exclusively excuse executed execution executive executives exercise exercises
exhibit exhibited exhibition exhibitions exhibits exile exist existed existence existing exists exit
expand expanded expanding expansion expect expectations expected expedition expelled expense expenses
expensive experience experienced experiences experiment experimental experiments expert expertise
experts expired explain explained explaining explains explanation explicit explicitly exploration
explore explored explorer exploring explosion export exposed exposure expr express expressed expressing
expression extant extend extended extending extends extension extensive extensively extent exterior
external extinct extra extraordinary extreme extremely eye eyes fa fabric fac facade face facebook faced
faces facilitate facilities facility facing fact faction facto factor factories factors factory facts
factual faculty fail failed failing fails failure fair fairly fairy faith fake fall fallen falling falls
false fame familiar families family famous fans fantastic fantasy far farm farmer farmers farming farms
fashion fast faster fastest fat fatal fate father fault favor favorable favorite favour favourite fbi fc
fcc fe fear feast feat feature featured features featuring feb february fed federal federation fee feed
feedback feeding feel feeling feelings feels fees feet fefefe fell fellow fellowship felt female females
feminine feminist fence ferry festival festivals few fewer ff ffffff fiction fictional field fields fifa
fifteen fifth fifty fight fighter fighters fighting fights figure figures file filed files filing
filipino fill filled filling film filmed filming filmmaker films filter final finale finalist finally
finals finance financial financing find finding findings finds fine finest finger fingers finish
finished finishes finishing finite finland finnish fire firearms fired fires firing firm firms first
firstly fiscal fish fishing fit fitness fits fitted five fix fixed fixing fl flag flags flagship flash
flat fled flee fleet flew flexible flies flight flights floating flood flooding floors florida flow
flower flowering flowers flowing flown flows fluid flute fly flying fm fn focus focused focuses focusing
folded folk folklore folks follow followed followers following follows font fontsize food foods foot
footage football footballer footnotes for forbes forbidden force forced forces forcing foreign forest
forests forever forewings forget forgot forgotten fork form formal formally format formation formations
formats formatting formed former formerly forming forms formula fort forth fortress fortune forty forum
forums forward fossil fossils fought found foundation foundations founded founder founders founding
fountain four fourteen fourth fp fr fragments frame frames framework france franchise frankfurt frankly
fraud free freedom freely freestyle freight french frequency frequent frequently fresh freshman
freshwater fri friday friend friendly friends friendship fringe from front frontier frozen fruit fruits
ft fuel full fully fun function functional functionality functioning functions fund fundamental funded
funding funds funeral funny fur furniture further furthermore fusion future ga gain gained gaining gains
galaxy galleries gallery game gameplay games gaming gap garage garden gardens garnered garrison gas gate
gates gather gathered gathering gauge gave gay gb ge gear gen gender gene genera general generally
generals generate generated generating generation generations generic genes genetic genre genres genuine
genus geographic geographical geography geological geology geometry georgian german germans germany get
gets getting gfdl ghana ghost giant giants gift gifts girl girlfriend girls give given gives giving glad
glasgow glass global globally globe glory gng go goal goalkeeper goals god goddess gods goes going gold
golden golf gone good goods google gospel got gothic gotten gov governance governed governing government
governments governor governors gp gr grade grades gradually graduate graduated graduates graduating
graduation grain grammar grand grande grandfather grandmother grandson granite granted grants graph
graphic graphics grass grave graves gravity great greater greatest greatly greece greek grew grey grid
ground grounds group groups grove grow growing grown grows growth gt guarantee guard guardian guards
guess guest guests guidance guide guided guideline guidelines guides guild guilty guinea guitar
guitarist guitars gulf gun guns guy guys ha habit habitat habitats had hadn hair half halls hamburg
hamlet hammer hampshire hand handbook handed handful handle handled handling hands hang hanging happen
happened happening happens happy harassment harbor harbour hard harder hardly hardware hardy harsh
harvard has hasn hat hate have haven having hawaii hd head headed header heading headquartered
headquarters heads healing health healthcare healthy hear heard hearing heart hearts heat heated heating
heaven heavily heavy heavyweight hebrew hectares height heights heir held helicopter hell hello help
helped helpful helping helps hence her herald here heritage hero heroes herself hey hi hidden hide
hiding high higher highest highlight highlighted highlights highly highway highways hills him himself
hindi hindu hip hired his hispanic historian historians historic historical historically histories
history hit hitler hits hitting hiv hl hlist hms hoax hockey hold holder holders holding holdings holds
hole holes holiday holidays holland hollywood holocaust holy home homeland homeless homes hometown hon
honest honestly honor honorary honored honors honour honours hood hook hop hope hoped hopefully hopes
hoping horizontal horror horse horses hospital hospitals host hosted hostile hosting hosts hot hotel
hotels hour hours house housed household householder households houses housing houston how however hp hr
htm html https hub hudson huge hull human humanitarian humanities humanity humans humor hundred hundreds
hungarian hungary hunting hurricane hurt husband hybrid hydrogen hypothesis ibm ibn ic ice iceland icon
iconic idea ideal ideas identical identification identified identifies identify identifying identity
ideology idol ie if ifeq ignore ignored ignoring iii il ill illegal illinois illness illustrate
illustrated illustrates illustration illustrations illustrator im image imagery images imagination
imagine imdb immediate immediately immigrant immigrants immigration imo impact imperial implement
implementation implemented implications implied implies imply import importance important importantly
imported imposed impossible impressed impression impressive imprisoned imprisonment improve improved
improvement improvements improving in inaccurate inactive inappropriate inaugural inaugurated inc
inception inch inches incident incidents inclined include included includes including inclusion income
incomplete incorporate incorporated incorporates incorporating incorrect incorrectly increase increased
increases increasing increasingly incumbent indeed indef indefinite indefinitely independence
independent independently index india indian indiana indians indicate indicated indicates indicating
indication indie indies indigenous individual individually individuals indonesia indonesian indoor
inducted industrial industries industry infant infantry infected infection inferior infinite influence
influenced influences influential info infobox inform informal information informative informed
infrastructure infringement ing inhabitants inhabited inherently inherited initial initially initiated
initiative initiatives injured injuries injury inland inline inn inner innings innocent innovation
innovative input inquiry inscription inscriptions insects insert inserted inside insight insisted
inspection inspector inspiration inspired install installation installed instance instances instead
institute institution institutional institutions instruction instructions instructor instrument
instrumental instruments insufficient insurance int intact integral integrated integration integrity
intellectual intelligence intelligent intend intended intense intensity intent intention intentions
interact interaction interactions interactive interchange interest interested interesting interests
interface interference interim interior intermediate internal international internationally internet
interpretation interpreted interrupted intersection interstate intervention interview interviewed
interviews into intro introduce introduced introduces introducing introduction invalid invasion invented
invention inventor invested investigate investigated investigating investigation investigations
investigator investment investments investors invitation invited invoke involve involved involvement
involves involving iowa ip ips ir iran iranian iraq iraqi ireland irish iron irregular irrelevant is
isbn islamic island islands isle iso isolated isolation israel israeli issue issued issues it italian
italics italy item items itn its itself iv jail jam jamaica january japan japanese java jay jazz jean
jefferson jersey jerusalem jet jewish jews ji job jobs join joined joining joins joint jointly journal
journalism journalist journalists journals journey joy jp jpgfile jr judge judged judgement judges
judgment judicial jul july jump jumping junction june jungle junior jurisdiction jury just justice
justification justified justify juvenile ka kansas keen keep keeping keeps kent kentucky kenya kept
kerala key keyboard keyboards keys kg ki kick kicked kid kids kill killed killer killing kills
kilometers kilometres kind kinds kingdom kings kit kitchen kitt knee knew knife knights knocked knockout
know knowing knowledge known knows kong korea korean lab label labeled labels labor laboratory labour
lack lacked lacking lacks ladies lady laid lake lakes land landed landing landmark lands landscape
landscapes lane lanes language languages lanka lap laps large largely larger largest larvae las laser
last lasted lasting lat late later lateral latest latin latter launch launched launching law laws
lawsuit lawyer lawyers lay layer layers layout lb lc lead leader leaders leadership leading leads leaf
league leagues learn learned learning learns lease leased least leather leave leaves leaving lebanon
lecture lecturer lectures led leeds left leg legacy legal legally legend legendary legends legion
legislation legislative legislature legitimate legs lemmon length lengths lengthy lens leo les lesbian
less lesser lessons let lets letter letters letting level levels lgbt liberal liberation liberty
libraries library licence license licensed licensing lies lieutenant life lifestyle lifetime lift lifted
light lighter lighthouse lighting lightning lights like liked likely likes likewise limestone limit
limitations limited limits line lineage linear liner lines lineup linguistic link linked linking links
linkwatcher linux lion lions liquid list listclass listed listen listening listing listings lists lit
literacy literally literary literature lithuania lithuanian little live lived liverpool lives livestock
living llc ller lo load loaded loan loans local locality locally locals locate located location
locations lock locked locomotive locomotives lodge log logged logic logical logo logs london lone longer
longest longtime look looked looking looks loop loose loosely lord lords los lose loses losing loss
losses lost lot lots loud louisiana love loved lover loves low lower lowest loyal loyalty lp lt ltd luck
lucky lunch luxury lying lyrics mac macdonald machine machinery machines mad made madrid magazine
magazines magic magical magnetic magnitude maiden mail main maine mainland mainly mainspace mainstream
maintain maintained maintaining maintains maintenance major majority make maker makers makes makeup
making malaysia male males mall malta mammals man manage managed management manager managers manages
managing manchester mandate mandatory manga manhattan manila manner manor mansion manual manually
manufacture manufactured manufacturer manufacturers manufacturing manuscript manuscripts many map
mapping maps mar marathon marble march margin marginal marine marines maritime marked marker market
marketed marketing markets marking marks marksize marriage married marry mars marsh mart martial marvel
maryland mask mass massachusetts massacre masses massive master mastering masters match matches matching
mate material materials maternal math mathematical mathematician mathematics matrix matter matters
mature max maximum may maybe mayor mb mc md mdash me mean meaning meaningful meanings means meant
meantime meanwhile measure measured measurement measurements measures measuring meat mechanical
mechanics mechanism mechanisms medal medalist medals media median mediation mediawiki medical medicine
medieval mediterranean medium meet meeting meetings meets melbourne melody member members membership
membrane memoir memoirs memorial memories memory men mental mention mentioned mentioning mentions mentor
menu merchant merchants mercury mere merely merge merged merger merging merit merits mesa mess message
messages met metal meter meters method methodist methods metre metres metric metro metropolitan mexican
mexico mg mhz mi miami michigan microsoft mid middle middot midnight might migrated migration mild mile
miles military militia milk mill millennium million millions milwaukee mind minds mine mineral miners
mines mini minimal minimum mining minister ministers ministry minnesota minor minority minus minute
minutes mirror miscellaneous misleading miss missed missile missiles missing mission missionaries
missionary missions mississippi missouri mistake mistaken mistakes mit mix mixed mixing mixture mk mlb
mm mo mobile mode model modeling models moderate modern modes modest modification modifications modified
modify module modules molecular molecules moment moments momentum mon monarch monastery monday money
monitor monitored monitoring monk monks monster montana month monthly months montreal monument monuments
moral more moreover morning morocco mos moscow mosque most mostly mother mothers motion motivated
motivation motor motorcycle motors motto mount mountain mountains mounted mouse mouth move moved
movement movements moves movie movies moving mp mph mps mr mrs ms mt mtv mu much mud multiple mumbai
munich municipal municipalities municipality murder murdered murders muscle museum museums music musical
musician musicians muslim muslims must mutual mw myself myspace mysterious mystery myth mythology naked
name named namely names namespace naming napoleon narrative narrator narrow narrowly nasa nashville
nation national nationalist nationality nationally nationals nations nationwide native nato natural
naturally nature naval navbox navies navigation navy nazi nba nbc nbsp nc ncaa ne near nearby nearest
nearly neat nebraska necessarily necessary neck need needed needing needs negative negotiations
neighborhood neighborhoods neighboring neighbourhood neighbouring neither neologism nepal nephew nest
net netherlands network networks neutral neutrality nevada never nevertheless new newcastle newer newly
news newspaper newspapers newton next nfl ng nh nhl ni nice nickname nicknamed nigeria nigerian night
nights nine nineteenth nintendo ninth nl nm nn no nobel nobility noble nobody node noindex noise nom
nominate nominated nominating nomination nominations nominator nominee non none nonetheless nonsense nor
norfolk normal normally north northeast northeastern northern northwest northwestern norton norway
norwegian nose not notability notable notably note noted notes noteworthy nothing notice noticeboard
noticed notices notified noting notion notoc notorious noun nov nova novel novelist novels november now
nowadays nowhere nowrap npov nr ns nsw nuclear number numbered numbers numerous nurse nursing ny nz oak
object objection objections objective objectives objects obscure observation observations observatory
observe observed observer obsolete obtain obtained obtaining obvious obviously occasion occasional
occasionally occasions occupation occupied occupy occur occurred occurring occurs ocean oct october odd
odds of off offense offensive offer offered offering offers office officer officers offices official
officially officials offshore often ohio oil ok okay oklahoma old older oldest oldid olympic olympics on
once one ones ongoing online only ontario onto onwards op open opened opening openly opens opera operate
operated operates operating operation operational operations operator operators opinion opinions
opponent opponents opportunities opportunity oppose opposed opposing opposite opposition optical option
optional options or oral orange orbit orchestra ordained order ordered orders ordinary ore oregon organ
organic organisation organisations organised organisms organization organizations organize organized
organizing orientation origin original originally originated originating origins orleans orphan orphaned
orthodox os other others otherwise ottawa ottoman ought our out outbreak outcome outcomes outdoor outer
outlet outlets outline output outright outside outstanding oval over overall overcome overlap overlaps
overseas oversight overview overwhelming owing own owned owner owners ownership owns oxford oxygen pa
pace pacific pack package padding page pageant pagename pages paid pain paint painted painter painters
painting paintings pair pairs pakistan pakistani palace pale palestine palestinian palm palomar panama
panel panels paper papers par para parade paradise paragraph paragraphs parallel parameter parameters
parent parents paris parish parishes parking parks parliament parliamentary parody part partial
partially participant participants participate participated participating participation particle
particles particular particularly parties partly partner partnered partners partnership parts party pass
passage passed passenger passengers passes passing passion past paste patch patent patents path paths
patient patients patrol patrolling patron pattern patterns pavilion pay paying payment payments pc pd
pdf pe peace peaceful peak peaked peaking peaks pearl peer peers pen penalties penalty pending peninsula
penn pennsylvania pension people peoples perceived percent percentage perception percussion perfect
perfectly perform performance performances performed performer performers performing performs perhaps
period periods permanent permanently permission permit permitted persian persistent person personal
personalities personality personally personnel persons perspective perspectives persuaded perth peru pet
petersburg petition pg ph phase phases phd phenomena phenomenon philadelphia philanthropist philippine
philippines philosopher philosophical philosophy phoenix phone photo photograph photographer
photographic photographs photography photos php phrase phrases physical physically physician physicians
physicist physics pi pianist piano pick picked picture pictured pictures piece pieces pilot pilots pin
pine pink pioneer pioneering pioneers pipe pipes pirates pit pitch pitched pitcher pittsburgh pl place
placed placement places placing plain plains plan plane planes planet planets planned planning plans
plant plantation planted plants plaque plastic plate plateau plates platform platforms platinum
plausible play played player players playing playoff playoffs plays playwright plaza pleasant please
pleased pleasure plenty plot plural plus pm png po pocket podcast poem poems poet poetry poets point
pointed pointing pointless points poland pole poles police policies policy polish political politically
politician politicians politics poll pollution poly pond pool poor poorly pop pope popular popularity
populated population populations port portal portals portfolio portion portions portland portrait
portraits portrayal portrayed ports portugal portuguese position positions positive possess possessed
possession possibilities possibility possible possibly post postal posted poster posthumously posting
postponed posts potential potentially potter pottery pound pounds pour pov poverty power powered
powerful powers pp pr practical practically practice practiced practices pradesh prague praise praised
prayer preceded precedent preceding precise precisely precision predecessor predicted predominantly
prefecture prefer preference preferences preferred prefix pregnancy pregnant prejudice preliminary
premier premiere premiered premiership premises preparation prepare prepared preparing presbyterian
presence present presentation presented presenter presenting presently presents preservation preserve
preserved presidency president presidential presidents press pressure prestigious presumably presumed
pretty prevent prevented preventing prevention preview previous previously prey prices pride priest
priests primarily primary prime primitive prince princess princeton principal principle principles print
printed printing prints prior priority prison prisoner prisoners privacy private privately prix prize
prizes pro probability probable probably problem problematic problems procedural procedure procedures
proceed proceeded proceedings proceeds process processes processing proclaimed prod proded produce
produced producer producers produces producing product production productions productive products prof
profession professional professionally professionals professor professors profile profiles profit
profits program programme programmes programming programs progress progressive prohibited project
projected projects prolific prominence prominent prominently promise promised promising promote promoted
promotes promoting promotion promotional prompted pronounced pronunciation proof propaganda proper
properly properties property proportion proposal proposals propose proposed proposing prose prosecution
prosecutor prospect protagonist protect protected protecting protection protein proteins protest
protestant protesters protests protocol prototype proud prove proved proven proves provide provided
provider providers provides providing province provinces provincial provision provisional provisions
proximity ps pseudonym psychological psychology pt pub public publication publications publicity
publicly publish published publisher publishers publishes publishing puerto pull pulled pump punishment
punjab punk pupil pupils puppet purchase purchased pure purely purple purpose purposes pursue pursued
pursuing pursuit push pushed pushing pushpin put puts putting qpq qu qualification qualified qualifies
qualify qualifying qualities quality quantities quantity quantum quarter quarterback quarterfinals
quarterly quarters quartet que quebec queen queens queensland query quest question questionable
questioned questions quick quickly quiet quit quite quot quote quoted quotes ra rabbi race races racial
racing racism racist radar radiation radical radio radius raf raid raids rail railroad railway railways
rain rainfall raise raised raising rally ran ranch random range rangers ranges ranging rank ranked
ranking rankings ranks rap rape rapid rapidly rapper rare rarely rarr rate rated rates rather rating
ratings ratio rational rationale raw ray reach reached reaches reaching reaction reactions read reader
readers readily reading reads ready real realistic reality realize realized realizes really realm rear
reason reasonable reasonably reasoning reasons rebel rebellion rebels rebounds rebuilt recall recalled
receive received receiver receives receiving recent recently reception recipient recipients recognised
recognition recognize recognized recommend recommendation recommendations recommended reconnaissance
reconstruction record recorded recording recordings records recover recovered recovery recreated
recreation recreational recruited rectangular rector recurring red redirect redirected redirects reduce
reduced reduces reducing reduction redundant ref refer referee reference referenced references
referencesexternal referencing referendum referred referring refers reflect reflected reflecting
reflection reflects reform reformed reforms refs refuge refugees refuse refused refuses refusing regard
regarded regarding regardless regards regent regime regiment regiments region regional regions register
registered registration regular regularly regulated regulation regulations regulatory rehabilitation
reign reinforced rejected relate related relates relating relation relations relationship relationships
relative relatively relatives relay release released releases releasing relegated relegation relevance
relevant reliability reliable relief religion religions religious relisted relocated reluctant rely
remain remainder remained remaining remains remake remarkable remarks remedy remember remembered remix
remnants remote removal remove removed removing renaissance rename renamed renaming rendered rendering
renewed renovated renovation renowned rent reopened repair repairs repeat repeated repeatedly replace
replaced replacement replacing replied reply report reported reportedly reporter reporting reports
reportscoibot represent representation representative representatives represented representing
represents reprinted reproduction republic republican republicans reputable reputation request requested
requesting requests require required requirement requirements requires requiring res rescue rescued
research researcher researchers resemble resembles reserve reserved reserves reservoir resided residence
resident residential residents resides residing resign resignation resigned resistance resolution
resolve resolved resolves resort resource resources respect respected respective respectively respond
responded responding response responses responsibilities responsibility responsible rest restaurant
restaurants restoration restore restored restoring restricted restriction restrictions result resulted
resulting results resume resumed ret retail retain retained retaining retire retired retirement retiring
retreat retrieved return returned returning returns reunited rev reveal revealed revealing reveals
revenge revenue reverend reverse reversed revert reverted reverting reverts review reviewed reviewer
reviewers reviewing reviews revised revision revisions revival revived revolt revolution revolutionary
reward rewrite rewritten rez rfa rfc rgb rhythm rica rich richmond rid ride rider riders ridge
ridiculous riding rifle rifles right rights ring rings rio rise rises rising risk risks ritual rival
rivalry rivals river rivers rm road roads robin robot rock rocket rocks rocky rod role roles roll
rollbacker rolling romance romania romanian romans romantic rome roof rookie room rooms root roots
roster rotation rough roughly round rounded rounds route routes routine row rows rowspan royal rpm rr rs
ru rubber rugby ruins rule ruled ruler rulers rules ruling run runner runners running runs runway rural
rush rushing russia russian sa sacred sacrifice sad safe safely safety sail sailed sailing sailors saint
saints sake salary sale sales salt same sample samples san sanctions sanctuary sand sandbox sandy sang
sank santa sat satellite satisfied satisfy saturday saudi save saved saves saving savings saw saxophone
say saying says sc scale scales scan scandal scattered scenario scene scenes sch schedule scheduled
scheme schemes scholar scholarly scholars scholarship school schools science sciences scientific
scientist scientists scope score scored scorer scores scoring scotland scottish scout scouts scrapped
scratch screen screened screening screenplay screenshot screenwriter script scripts sculptor sculpture
sculptures se sea seal search searched searches searching season seasonal seasons seat seating seats
seattle sec second secondary secondly seconds secret secretary secretly secrets section sections sector
sectors secular secure secured security see seed seeds seeing seek seeking seeks seem seemed seemingly
seems seen sees segment segments seized select selected selection selective self sell selling semifinals
seminary senate senator senators send sending sends senior sense sensitive sent sentence sentenced
sentences sep separate separated separately separation september sequel sequence sequences serbia
serbian sergeant serial series serious seriously servant servants serve served server servers serves
service services serving session sessions set sets setting settings settle settled settlement
settlements settlers settling seven seventeen seventh several severe severely sex sexual sf sh shadow
shakespeare shall shallow shame shanghai shape shaped shapes share shared shares sharing sharp she shed
sheep sheet sheffield shell shells shelter sheriff shield shift shifted ship shipping ships shock shoes
shoot shooting shop shopping shops shore short shortened shorter shortly shot shots should shoulder
shouldn show showed showing shown shows shrine shtml shut si siblings sick side sides siege sight sign
signal signals signature signed significance significant significantly signing signs silence silent silk
silly silver similar similarities similarity similarly simple simply simultaneously sin since sing
singapore singer singers singing single singles sings singular sir sister sisters sit site sites sits
sitting situated situation situations six sixteen sixth size sizes sk skating sketch sketches ski skill
skilled skills skin skull sky slave slavery slaves sleep sleeping slide slight slightly slope slopes
slot slow slowly small smaller smallest smart smoke smoking smooth snake snow so soap soccer social
socialist societies society sociology sock sockpuppet sockpuppets socks soft software soil solar sold
soldier soldiers sole solely solid solo solution solutions solve solved some somebody somehow someone
somerset something sometime sometimes somewhat somewhere songs songwriter sons sony soon soprano sorry
sort sorts sought soul sound sounds soundtrack source sourced sources sourcing south southeast
southeastern southern southwest southwestern sovereign soviet sp spa space spacecraft spaces spacewatch
spades spain spam span spanish spare speak speaker speakers speaking speaks special specialist
specialized specializing specially specialty species specific specifically specification specified
specify specimen specimens spectators spectrum speculation speech speed speeds speedy spell spelled
spelling spend spending spent sphere spin spirit spirits spiritual spite split splitting spoke spoken
sponsor sponsored sponsorship sport sporting sports spot spots spotted spread spreading spring springs
sprint spy sq squad squadron squadrons square sr ss stability stable stadium staff stage staged stages
stake stale stamp stamps stance stand standalone standard standards standing standings stands stanford
star starred starring stars start started starter starting starts state stated statement statements
states static stating station stationed stations statistical statistics stats statue statues status stay
stayed staying stays steady steal steam steel steep stem stems step stepped steps stern stick still
stint stock stockholm stolen stones stood stop stopped stopping stops storage store stored stores
stories storm story storyline str straight strain strange strategic strategies strategy streak stream
streaming streams street streets strength stress stretch strict strictly strike strikes striking string
strings strip stroke strong stronger strongest strongly struck structural structure structures struggle
struggled struggles struggling stub stubs stuck student students studied studies studio studios study
studying stuff stupid style styles sub subdivision subfamily subject subjective subjects submarine
submission submit submitted subpage subpages subsequent subsequently subsidiary subspecies substance
substantial substantially substitute suburb suburban suburbs succeed succeeded succeeding success
successful successfully succession successive successor such sudan sudden suddenly sued suffer suffered
suffering sufficient sufficiently sugar suggest suggested suggesting suggestion suggestions suggests
suicide suit suitable suite suited sultan sum summaries summary summer summers summit sunday sung sunk
super superintendent superior supervised supervision supplement supplied supplies supply support
supported supporter supporters supporting supports suppose supposed supposedly supreme sur sure surely
surface surfaces surgeon surgery surgical surname surprise surprised surprising surrender surrendered
surrounded surrounding surveillance survey surveys survival survive survived survives surviving
survivors suspect suspected suspended suspension suspicion suspicious sussex sustainable sustained svg
sweden swedish sweet swift swimmer swimming swing swiss switch switched switching switzerland sword
sworn sydney symbol symbolic symbols symphony symptoms syndrome synonym synthesis syria syrian sysop
system systematic systems ta tab table tables tackle tackles tactical tactics tag tagged tagging tags
tail taiwan take taken takes taking tale talent talented tales talk talked talking talkpage talks tall
tamil tank tanks tape target targeted targets task tasks taste taught tax taxes td te tea teach teacher
teachers teaches teaching teachings teahouse team teammate teams tech technical technically technique
techniques technological technologies technology teen teenage teenager teeth tel telegraph telephone
television tell telling tells temperature temperatures template templates temple temples temporarily
temporary ten tend tendency tender tends tennessee tennis tenor tension tenth tenure term termed
terminal terminated terminology terminus terms terrace terrain terrible territorial territories
territory terror terrorism terrorist test testament tested testimony testing tests texas text textbook
texts tf tfded th thai thailand than thank thanks that the theater theaters theatre theatrical their
them theme themes themselves then theological theology theorem theoretical theories theory therapy there
thereafter thereby therefore thermal these thesis they thick thin thing things think thinking thinks
thinsp third thirteen thirty this thorough thoroughly those though thought thoughts thousand thousands
thread threat threatened threatening threats three threshold threw thriller throne through throughout
throw throwing thrown thumb thursday thus ti ticket tickets tie tied tier ties tiger tigers tight timber
time timeline times timing tin tiny tip tips tired tissue title titled titles tko to tobacco toc today
together tokyo told toll tomb tomorrow ton tone tongue tonight tons too took tool tools top topic topics
topped toronto torpedo torture total totally touch touchdown touchdowns tough tour toured touring
tourism tourist tourists tournament tournaments tours toward towards tower towers town towns township
toxic toy tr trace traced traces track tracking tracks trade traded trademark trading tradition
traditional traditionally traditions traffic tragedy trail trailer trails train trained trainer training
trains trans transactions transfer transferred transform transformation transformed transit transition
translate translated translation translations translator transmission transmitted transmitter
transparent transport transportation transported trap trapped travel traveled traveling travelled
travelling travels treasure treasurer treasury treat treated treating treatment treaty tree trees trek
trend trends trial trials triangle tribal tribe tribes tributary tribute trick tried tries trigger
trilogy trim trinity trio trip triple trips trivia trivial troop troops trophy tropical trouble truck
trucks true truly trump trumpet trunk trust trusted trustee trustees truth try trying tube tue tuesday
tune tunnel turkey turkish turn turned turning turns tv twelve twentieth twenty twice twin twins twitter
two type types typical typically ua uefa uganda ukraine ukrainian ultimate ultimately um un unable
unacceptable unanimous unaware unblock uncertain uncle unclear uncommon uncredited und under
undergraduate underground underlying underneath understand understanding understood undertaken undertook
underwater underwent unencyclopedic unexpected unfortunately unfree unified uniform unincorporated
uninvolved union unions unique unit united units unity universal universe universities university
unknown unless unlike unlikely unnamed unnecessary unofficial unreferenced unrelated unreleased
unreliable unsourced unsuccessful unsuccessfully until unused unusual unveiled up upcoming update
updated updates upgrade upgraded upload uploaded uploader upon upper uprising upset urged url us usa
usage use used useful useless user userbox username userpage users userspace uses using uss ussr usual
usually utah utility utilized va vacant vague valid validity valign valley valuable value valued values
valve vancouver vandal vandalism vanity var variable variables variant variants variation variations
varied varies varieties variety various vary varying vast vcard ve vector vegas vegetation vehicle
vehicles velocity venezuela venice venture venue venues verb verifiable verification verified verify
verlag vermont verse verses version versions versus vertical very vessel vessels veteran veterans vfd vi
via viable vice vicinity victim victims victorian victories victory video videos vienna vietnam
vietnamese view viewed viewer viewers viewing views vii viii village villages vinyl viola violate
violated violates violating violation violations violence violent violin virgin virginia virtual
virtually virtue virus visible vision visit visited visiting visitor visitors visits visual vital vocal
vocalist vocals voice voiced voices vol volcanic volleyball voltage volume volumes voluntary volunteer
volunteers von vote voted voters votes voting voyage vs vulnerable wa wait waiting wake wales walk
walked walking walks wall walls want wanted wanting wants war warehouse warfare warm warned warner
warning warnings warrant warring warrior warriors wars warsaw wartime was wasn waste watch watched
watching watchlist water waters watershed watts wave waves way ways we weak wealth wealthy weapon
weapons wear wearing weather web website websites wed wedding wednesday week weekend weekly weeks weight
weird welcome welcomed welfare well wellington welsh went were weren western wet what whatever
whatsoever wheat wheel wheels when whenever where whereas whether which while whilst whitelisted who
whole wholly whom whose why wickets wide widely wider widespread widow width wife wiki wikidata
wikimedia wikipedia wikipedians wikiproject wikis wild wilderness wildlife will willing win wind window
windows winds wine wing wings winner winners winning wins wire wireless wisconsin wisdom wise wish
wished wishes witch with withdraw withdrawal withdrawn withdrew within without witness witnessed
witnesses wives woman women won wonder wonderful wondering wooden woodland word wording words wore work
worked worker workers working works workshop workshops world worlds worldwide worn worried worry worse
worship worst worth worthy would wouldn wound wounded wounds wow wrestler wrestling write writer writers
writes writing writings written wrong wrote wwe www xi xs ya yale yard yards yeah year yearly years
yellow yes yesterday yet yield york yorkshire you younger youngest your yours yourself youth youtube
yugoslavia zealand zero zl zone zones zoo
`;
